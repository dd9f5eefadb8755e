from django.urls import path

from channels import views

app_name = "channels"
urlpatterns = [
    path("wechat/", views.wechat_endpoint, name="wechat"),
    path("wechat/login/", views.wechat_login, name="wechat_login"),
    path("wechat/login/done/", views.wechat_login_done, name="wechat_login_done"),
    path("wechat/file/", views.wechat_file, name="wechat_file"),
    path("wechat/mine/", views.wechat_mine, name="wechat_mine"),
    path("110/transfers/", views.police_transfer, name="police_transfer"),
    path("grid/", views.grid_list, name="grid"),
    path("grid/new/", views.grid_new, name="grid_new"),
    path("enterprise/", views.enterprise_new, name="enterprise"),
    path("mailbox/", views.mailbox_new, name="mailbox"),
]
